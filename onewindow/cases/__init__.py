"""Cases: intake, materials, commitment, acceptance, supplements and the timeline."""
