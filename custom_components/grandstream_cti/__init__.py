"""The Grandstream IP Phone (CTI) integration."""
