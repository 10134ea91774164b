"""The academic directory: établissements and the people who work in them."""
