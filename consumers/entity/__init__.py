"""Entity resolution: subjects that share a strong identifier are one seller entity."""
