"""Pure learning layer: grading, mastery and item statistics. No Flask, no database."""
