"""Authoring tools: the chapter executor, the notebook-twin writer, the outputs recorder.

They are run by ``tasks.py`` and by authors (CONTRIBUTING.md), and imported by the tests;
they never import the tests.
"""
