"""Articles (questions and answers, product sheets, procedures) and their search."""
