"""What the consumers need from storage, as interfaces: the SQL store implements them, fakes subclass them."""
