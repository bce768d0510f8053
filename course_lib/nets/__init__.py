"""Neural networks from scratch (chapters 03-05): the forward pass, backpropagation, optimizers.

A numpy MLP (forward), a scalar autograd engine and its graphs (autograd, graph), gradient
checks and vectorised backprop (gradcheck, backprop), optimizers, schedules and the loss
landscapes they run on (optim, schedules, quadratic, gradient_noise), and the training loop
with its datasets (train, early_stopping, toy_data, digits). Imports only the machinery.
"""
