"""Evaluation: retrieval quality (top-1, MRR@10, recall@5, hit@5, confidence) on labelled queries."""

from .metrics import LabelledQuery, MethodScores, evaluate

__all__ = ["LabelledQuery", "MethodScores", "evaluate"]
