"""The Hugging Face tutorial's question and the results it prints (dense ranking over the questions)."""

TUTORIAL_QUERY = "How can Medicare help me?"
TUTORIAL_IDS = ["8", "7", "3", "9", "10"]
TUTORIAL_SCORES = [0.7565, 0.7419, 0.7253, 0.6736, 0.6505]
