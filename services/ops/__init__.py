"""Operations: consumer lag with Burrow's status rules, pipeline metrics, health and readiness."""
