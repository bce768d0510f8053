"""Scale and cost (chapters 01, 02, 08 and 12): how big models are, what they cost, how they scale.

Notable models and their trends (milestones, trends), size by formula and on real models
(sizing, decoder, measure), money and hardware (cost, hardware), scaling laws and sweeps
(scaling, sweep), cheaper and parallel training (efficiency, data_parallel), and the open
problems in numbers (outlook). Imports the machinery, nets and lm.
"""
