"""One customer, one file: the matcher, duplicate scans, the review queue and merges."""
