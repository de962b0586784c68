"""Fee orders, the payment provider port and its sandbox gateway (issue "Paying fees on the phone")."""
