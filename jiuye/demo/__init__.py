"""The demo district (``jiuye demo-data``, docs/demo-data.md): a seeded synthetic Jinshan or Chongming.

- :mod:`jiuye.demo.base` — configuration, result type, seeded streams, shared distributions;
- :mod:`jiuye.demo.district` — the columnar population generator (``generate``);
- :mod:`jiuye.demo.situations` — the planted situations, each with the measure and outcome it exercises;
- :mod:`jiuye.demo.files` — the generated frames as registry tables and import files;
- :mod:`jiuye.demo.commands` — the ``demo-data`` command.
"""
