"""Example scenario files (`coupang-mock serve --scenario seller-day`); the YAML files are package data."""
