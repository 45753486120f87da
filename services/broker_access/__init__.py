"""Trust at the broker: who the hub's Kafka principals are, what each may do (one table for the local
broker and the deployment manifests), their credential files, and the client options every Kafka
client of the hub is built with."""
