"""The REST API of the care graph: people (`people`), networks and their audit trail
(`networks`), and members, invitations and requests to join (`members`). Views are thin: the
access policy finds what the user may see, services make changes, and every read of a
person's record is written to their audit trail.
"""
