"""What the hub runs on the log: the materializer that builds the shared store from agency topics."""
