"""Tests of the Grandstream IP Phone (CTI) integration."""
