"""The stack of recurrent layers the functional models share (language model, classifier, masked words)."""

import keras


def stack_recurrent_layers(x, make_layer, num_layers, bidirectional=False, dropout=0.0, make_backward_layer=None):
    """Apply `num_layers` recurrent layers to `x`, each optionally read both ways and followed by dropout.

    Layer `index` is `make_layer(index)`. With `bidirectional=True` it is
    wrapped in `keras.layers.Bidirectional` named `bidirectional_{index}`,
    whose backward layer is `make_backward_layer(index)` or, without it, the
    mirror Keras makes of the forward one. With `dropout > 0` a
    `keras.layers.Dropout` named `dropout_{index}` follows it (dropout between
    layers, not recurrent dropout). These names are the weight paths of the
    saved models: keep them.

    Args:
        x: the symbolic input `(batch, time, features)`.
        make_layer: `index -> recurrent layer`.
        num_layers: how many layers to stack.
        bidirectional: wrap each layer in `Bidirectional`. Defaults to False.
        dropout: dropout rate after each layer. Defaults to 0.
        make_backward_layer: `index -> recurrent layer` for the backward
            direction, or None. Defaults to None.

    Returns:
        The output of the last layer (`Dropout`), e.g. `(batch, time, directions * units)`.

    Example:

    ```python
    x = keras.Input((None, 8))
    y = stack_recurrent_layers(x, lambda i: keras.layers.GRU(16, return_sequences=True, name=f"gru_{i}"), 2,
                               bidirectional=True)  # (batch, time, 32)
    ```
    """
    for index in range(num_layers):
        layer = make_layer(index)
        if bidirectional:
            backward = make_backward_layer(index) if make_backward_layer is not None else None
            layer = keras.layers.Bidirectional(layer, backward_layer=backward, name=f"bidirectional_{index}")
            # `load_model` builds the two directions before their wrapper, outside its name scope;
            # building them here the same way gives the weights the same paths before and after a
            # save/load round trip (`forward_gru_0/gru_cell/kernel`, not `bidirectional_0/forward_...`).
            layer.forward_layer.build(x.shape)
            layer.backward_layer.build(x.shape)
        x = layer(x)  # (batch, time, directions * units), or (batch, directions * units) without sequences
        if dropout:
            x = keras.layers.Dropout(dropout, name=f"dropout_{index}")(x)
    return x
