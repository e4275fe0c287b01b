"""Documents in: reading files, cleaning, language detection, sentence splitting, chunking.

This is the first stage of polyqa's flow (corpus -> index -> bot); it imports from
neither of the later stages.
"""
