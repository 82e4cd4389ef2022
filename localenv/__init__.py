"""The local AWS environment: an emulator (moto plus extensions) with real PostgreSQL servers."""
