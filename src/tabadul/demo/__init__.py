"""Demonstration: synthetic content for ``make run`` and the three-node ``make demo``.

``content`` fills one node with users for every role and synthetic reports;
``cluster`` starts, links and stops the three demonstration nodes;
``scenario`` plays the scripted exchange between them through their APIs.
Everything here is invented (``tabadul.synthetic``): no real person appears.
"""
