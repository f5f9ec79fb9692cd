"""A whole shop at once: the sample shop the demo loads."""
