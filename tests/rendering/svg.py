"""Reading drawn SVG back in the rendering tests."""

import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    """Parse an SVG string, failing the test when it is not well-formed XML."""
    return ET.fromstring(svg)


def classes(element: ET.Element) -> set[str]:
    """Answer the class names of an element."""
    return set(element.get("class", "").split())


def with_class(root: ET.Element, name: str) -> list[ET.Element]:
    """Answer every element carrying class `name`, in document order."""
    return [el for el in root.iter() if name in classes(el)]


def by_id(root: ET.Element, element_id: str) -> ET.Element:
    """Answer the element with id `element_id`."""
    found = [el for el in root.iter() if el.get("id") == element_id]
    assert len(found) == 1, element_id
    return found[0]


def text_of(element: ET.Element) -> str:
    """Join the text of an element and its children (tspans) with spaces."""
    return " ".join(t.strip() for t in element.itertext() if t.strip())
