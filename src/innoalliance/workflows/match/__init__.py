"""Match: ranked, explained knowledge-transfer matches and partner recommendations."""
