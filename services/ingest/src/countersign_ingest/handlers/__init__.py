"""What happens when: Dext publishes or withdraws an item, asks where it is or for suppliers; an
operator registers a secret; news arrives from approval and the publisher. Each handler takes a
connection and what was asked, and commits its rows and events in one transaction."""
