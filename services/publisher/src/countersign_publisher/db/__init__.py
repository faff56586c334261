"""The publisher's SQL, on its own schema: publications (the jobs and their progress), contacts
and supplier syncs, and Xero connections."""
