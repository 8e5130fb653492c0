"""The one way to change a story.

Every change to a story, from the newsroom, the API, an import or the demo loader, is a call to
``stories.changes``: it checks the role rule (``stories.rules``), locks the row and checks the
version, refuses text that is not text (``stories.hygiene``), keeps a revision and an audit entry
naming who acted (``stories.history``), brings every index derived from the story in step in the
same transaction (``stories.indexes``), and purges and notifies WebSub after the commit.
"""
