"""Comprehensive licences: PDF, electronic seal, verification."""
