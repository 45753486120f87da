"""What a viewer may see: cases, timelines and sellers folded from the events visible to them only."""
