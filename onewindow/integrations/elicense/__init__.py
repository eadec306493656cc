"""The provincial e-licence library: adapter interface and the local library implementation."""
