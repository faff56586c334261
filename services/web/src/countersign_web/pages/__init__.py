"""The pages: signing in and out, and the approver's inbox and requests."""
