"""The app's screens: home, study, drill, stats, lab and help."""
