"""Live coverage: a story's stream of timestamped updates while an event runs.

The tables and the readers' side live here; every change to them is made by
``masthead.stories.live``, the story service, like every other change to a story.
"""
