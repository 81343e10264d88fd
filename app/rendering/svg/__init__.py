"""SVG drawings: one small writer (`writer`) and a module per drawing (flowchart, timeline,
chart, qr), each a pure function over plain data that answers an SVG 1.1 string."""
