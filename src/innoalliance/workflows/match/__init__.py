"""Match: ranked, explained knowledge-transfer matches and partner recommendations.

``store`` (matching on the store), ``runs`` (saved runs and reports), ``context`` (what the
store knows of both sides), ``rank`` (candidates and explanations), ``partners`` (who best
completes an alliance), ``files`` (matching on a user's own files).
"""
