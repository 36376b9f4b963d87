"""The catalogue widget for library websites (`widget.js`) and its plain-HTML fallback page."""
