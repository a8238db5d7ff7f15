"""Partner departments' staff (issue 10 §8): the town office attaches and detaches them; a partner's home
page lists what waits for them."""
