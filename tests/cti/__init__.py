"""Tests of the CTI client."""
