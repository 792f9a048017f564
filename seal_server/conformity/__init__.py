"""After the seal: licences, star criteria and rating requests."""
