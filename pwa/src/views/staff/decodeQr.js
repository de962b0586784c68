// Reads a QR code from a photo or a picture, in the browser. The decoder (@zxing/browser) is loaded
// only when a clerk first uses it, so nobody else downloads it.

/** The text of the QR code in `file` (an image); throws when there is none. */
export async function decodeQrImage(file) {
  const { BrowserQRCodeReader } = await import('@zxing/browser')
  const url = URL.createObjectURL(file)
  try {
    return (await new BrowserQRCodeReader().decodeFromImageUrl(url)).getText()
  } finally {
    URL.revokeObjectURL(url)
  }
}
