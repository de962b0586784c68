"""Data retention (数据保存期限): what is purged after how long, on a schedule and by `flask retention purge`."""
