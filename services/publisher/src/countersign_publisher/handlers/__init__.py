"""What happens when: the consumed events (recording work), the worker and its passes, the
publication steps as use cases, and the operator's use cases behind the HTTP API."""
