"""Referrals to partner departments (domain.md §6): routing rules and suggestions, the referral lifecycle,
its pages and partner API."""
