"""Early warning: rules over the shared store that tell agencies what they would not see alone."""
