"""Run-at-most-once statistics (运行统计): counters kept by an incremental aggregator, public and admin views."""
