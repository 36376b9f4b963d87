"""Learning content: topics, courses made of modules and lessons, draft and published."""
