"""Voice in and voice out for Steer: a layer over the text conversation (see README, Voice)."""
