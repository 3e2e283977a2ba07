"""Speech recognition, diarization and the merge of both into role-labelled utterances."""
