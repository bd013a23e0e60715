package themes_test

import (
	"fmt"

	"github.com/mimir-tui/mimir-tui/themes"
)

func ExampleByName() {
	th, err := themes.ByName("okabe-ito")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(th.Name, "-", th.Description)
	fmt.Println(themes.Names())
	// Output:
	// colorblind - Okabe–Ito colours, safe for colour-vision deficiency
	// [dark light high-contrast colorblind mono]
}
