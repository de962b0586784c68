"""The personal data vault (个人数据保险箱) and e-certificates (电子证照).

- `service`: the rules — holders, issuing, finding and revoking certificates, the vault view,
  self-reported data (`own_data`), public verification of a QR token.
- `routes`: `blp` — /api/v1/me/vault, /api/v1/me/certificates…, /api/v1/certificates/verify.
- `page`: `page_blp` — the server-rendered /verify page that a certificate's QR code opens.
- `signing`: the Ed25519 keys of the QR tokens (KEYS_DIR/certificate-signing.pem, rotatable).
"""
