"""The Django example blog: posts with threadkit's comment section under each."""
