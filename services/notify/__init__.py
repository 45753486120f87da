"""Subscriptions and notifications: matching new cases, alerts and referrals reach the people who asked."""
